/**
 * Waits until the mocked engine has registered everything a component started: children that wait on other
 * children's outputs register a few turns of the event loop later. Resolves once `count()` has not changed
 * for several turns.
 */
export async function settled(count: () => number, quietTurns = 5): Promise<void> {
  let last = -1;
  let quiet = 0;
  while (quiet < quietTurns) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    const now = count();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
}
