/**
 * A parsed catalog's nodes in the order `yaml`'s `visit` hands them out — pre-order, a map or
 * list before its items, a pair before its key and then its value — with the same callbacks
 * (a Map or Seq falls back to Node when it has none of its own, as do Scalar and Alias), but
 * without `visit`'s frozen copy of the ancestor path at every level: `path` here is the live
 * stack of ancestors (the Document first), valid during the call only. It is read only to
 * name the field of a problem. The parse stage walks every catalog twice; this is its hot loop.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Alias, type Document, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';

export interface Walker {
  Map?(map: YAMLMap, path: readonly unknown[]): void;
  Seq?(seq: YAMLSeq, path: readonly unknown[]): void;
  Scalar?(node: Scalar, path: readonly unknown[]): void;
  Alias?(node: Alias, path: readonly unknown[]): void;
  Node?(node: Node, path: readonly unknown[]): void;
  Pair?(pair: Pair, path: readonly unknown[]): void;
}

export function walk(doc: Document, w: Walker): void {
  const path: unknown[] = [doc];
  const go = (node: unknown): void => {
    if (isPair(node)) {
      w.Pair?.(node, path);
      path.push(node);
      go(node.key);
      go(node.value);
      path.pop();
    } else if (isMap(node) || isSeq(node)) {
      if (isMap(node)) (w.Map ?? w.Node)?.(node, path);
      else (w.Seq ?? w.Node)?.(node, path);
      path.push(node);
      for (const item of node.items) go(item);
      path.pop();
    } else if (isScalar(node)) (w.Scalar ?? w.Node)?.(node, path);
    else if (isAlias(node)) (w.Alias ?? w.Node)?.(node, path);
  };
  go(doc.contents);
}
