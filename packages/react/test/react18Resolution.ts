import { createRequire } from "node:module";
import Module from "node:module";
import { dirname } from "node:path";

/**
 * The `react-18` project's setup. Vite's aliases send the tests' own imports of `react` and `react-dom` to React 18,
 * but the CommonJS builds loaded outside Vite (react-dom's own `require("react")`, and whatever @testing-library
 * requires) resolve through Node, which would find React 19. This points those requires at React 18 too, so one
 * React runs in the project.
 */
const require = createRequire(import.meta.url);
const targets: Record<string, string> = {
  react: dirname(require.resolve("react-18/package.json")),
  "react-dom": dirname(require.resolve("react-dom-18/package.json")),
};

type ResolveFilename = (request: string, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: ResolveFilename & { react18?: true } };

if (!loader._resolveFilename.react18) {
  const original = loader._resolveFilename;
  const redirected: ResolveFilename & { react18?: true } = function (this: unknown, request, ...rest) {
    const match = /^(react|react-dom)(\/.*)?$/.exec(request);
    const target = match ? `${targets[match[1] as string]}${match[2] ?? ""}` : request;
    return original.call(this, target, ...rest);
  };
  redirected.react18 = true;
  loader._resolveFilename = redirected;
}
