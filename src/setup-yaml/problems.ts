/**
 * How problems in a setup YAML are reported: each names the key path as a user finds it in the file
 * (`catalogs[0].roles.reader.privileges.catalog[1]`) and says how to fix it. No Pulumi import.
 */

export type KeyPath = readonly PropertyKey[];

/** `catalogs[0].roles.reader`; keys that are not plain words are quoted: `namespace["a.b"]`. */
export function keyPath(path: KeyPath): string {
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(String(key))) text += text ? `.${String(key)}` : String(key);
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text || "(top level)";
}

/**
 * Every problem found in one setup YAML, listed at once so that one run shows all there is to fix. The
 * message is `<source> cannot be used as a polaris setup YAML:` and then one problem per line.
 */
export class SetupYamlError extends Error {
  /**
   * @param source Names the YAML: its path, or a description of where the text came from.
   * @param problems One line each: the key path as found in the file, then what is wrong and the fix.
   */
  constructor(
    /** Names the YAML: its path, or a description of where the text came from. */
    readonly source: string,
    /**
     * One line per problem: the key path as found in the file (`catalogs[0].roles.reader.privileges`), then
     * what is wrong and how to fix it.
     */
    readonly problems: readonly string[],
  ) {
    super(`${source} cannot be used as a polaris setup YAML:\n  ${problems.join("\n  ")}`);
    this.name = "SetupYamlError";
  }
}

/** The closest of `candidates` to a mistyped `word`, when it is only a few edits away. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
