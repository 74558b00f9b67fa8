import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";
import { reactProjectBase } from "./vitest.shared.ts";

const installed = (name: string) => fileURLToPath(new URL(`./node_modules/${name}`, import.meta.url));

/**
 * `react`, `react-dom` and their entry points resolved to React 18 (installed as `react-18` and `react-dom-18`),
 * for the tests and for @testing-library/react, which is inlined so that it goes through the same aliases;
 * `test/react18Resolution.ts` does the same for the CommonJS requires Node resolves (react-dom's own `react`).
 */
const react18 = [
  { find: /^react$/, replacement: installed("react-18") },
  { find: /^react\/(.*)$/, replacement: `${installed("react-18")}/$1` },
  { find: /^react-dom$/, replacement: installed("react-dom-18") },
  { find: /^react-dom\/(.*)$/, replacement: `${installed("react-dom-18")}/$1` },
];

/** The package's tests again, under React 18. */
export default defineProject({
  ...reactProjectBase,
  resolve: { ...reactProjectBase.resolve, alias: react18 },
  test: {
    ...reactProjectBase.test,
    name: "react-18",
    provide: { reactMajor: "18" },
    alias: react18,
    server: { deps: { inline: ["@testing-library/react"] } },
    setupFiles: ["./test/react18Resolution.ts"],
  },
});
