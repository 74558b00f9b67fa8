/**
 * Runs an application guard the way every guard of the server runs: only `true` allows; anything else denies,
 * and so does a throw (or a rejection), which is also reported, with `what` saying whose guard it was.
 */
export async function passesGuard(
  guard: () => boolean | Promise<boolean>,
  reportError: (error: unknown) => void,
  what: string,
): Promise<boolean> {
  try {
    return (await guard()) === true;
  } catch (error) {
    reportError(new Error(`meshwork: the guard of ${what} threw`, { cause: error }));
    return false;
  }
}
