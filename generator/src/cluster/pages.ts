/**
 * A whole list, page by page (`limit` + `continue`), so one huge namespace never arrives as one
 * giant response. When the continue token expires mid-list (410, etcd compacted the revision the
 * list started at), start over: the pages of one list must come from one resourceVersion.
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

/** @param restarts how often an expired continue token may restart the list. @default 2 */
export async function allPages(fetchPage: (token?: string) => Promise<Page>, restarts = 2): Promise<AllPages> {
  let pages = 0;
  for (let attempt = 0; ; attempt++) {
    const items: unknown[] = [];
    let token: string | undefined;
    let resourceVersion: string | undefined;
    try {
      do {
        const page = await fetchPage(token);
        pages += 1;
        items.push(...page.items);
        resourceVersion ??= page.resourceVersion;
        token = page.continue || undefined;
      } while (token);
      return { items, ...(resourceVersion ? { resourceVersion } : {}), pages };
    } catch (e) {
      const expired = e instanceof ProblemError && e.problem.kind === 'expired' && token !== undefined;
      if (!expired || attempt >= restarts) throw e;
    }
  }
}
