/**
 * A whole list, page by page (`limit` + `continue`), so one huge namespace never arrives as one
 * giant response. When the continue token expires mid-list (410, etcd compacted the revision the
 * list started at), start over: the pages of one list must come from one resourceVersion.
 * A server cannot keep us paging for ever: a page cap per list, and a continue token the server
 * already handed out (a loop) ends the list at once.
 */
import { ProblemError } from './retry.js';

export interface Page {
  readonly items: readonly unknown[];
  readonly continue?: string;
  readonly resourceVersion?: string;
}

export interface AllPages {
  readonly items: unknown[];
  readonly resourceVersion?: string;
  readonly pages: number;
}

export interface PageOptions {
  /** How often an expired continue token may restart the list. @default 2 */
  readonly restarts?: number;
  /** Pages of one list at most (restarts included). @default 200 (100,000 objects at 500 a page) */
  readonly maxPages?: number;
}

export const DEFAULT_MAX_PAGES = 200;

/** A pagination limit tripped; `kind` names which. */
export class PageLimitError extends Error {
  constructor(
    readonly kind: 'too-many-pages' | 'continue-loop',
    message: string,
  ) {
    super(message);
    this.name = 'PageLimitError';
  }
}

export async function allPages(fetchPage: (token?: string) => Promise<Page>, opts: PageOptions = {}): Promise<AllPages> {
  const restarts = opts.restarts ?? 2;
  const maxPages = opts.maxPages ?? DEFAULT_MAX_PAGES;
  let pages = 0;
  for (let attempt = 0; ; attempt++) {
    const items: unknown[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    let resourceVersion: string | undefined;
    try {
      do {
        if (pages >= maxPages) throw new PageLimitError('too-many-pages', `still not complete after ${maxPages} pages (the page cap; ${items.length} objects so far) — the server keeps answering with a continue token`);
        const page = await fetchPage(token);
        pages += 1;
        items.push(...page.items);
        resourceVersion ??= page.resourceVersion;
        token = page.continue || undefined;
        if (token !== undefined) {
          if (seen.has(token)) throw new PageLimitError('continue-loop', `the server handed out the same continue token twice (after ${pages} pages) — a pagination loop; stopped`);
          seen.add(token);
        }
      } while (token);
      return { items, ...(resourceVersion ? { resourceVersion } : {}), pages };
    } catch (e) {
      const expired = e instanceof ProblemError && e.problem.kind === 'expired' && token !== undefined;
      if (!expired || attempt >= restarts) throw e;
    }
  }
}
