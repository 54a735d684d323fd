/**
 * Map lookups by a name the catalog supplies (`profile: constructor`): only own keys count, so a
 * name such as "constructor" or "toString" never finds Object.prototype's members.
 */
export function own<T>(map: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
}
