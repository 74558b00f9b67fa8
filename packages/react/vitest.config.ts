import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";
import { reactProjectBase } from "./vitest.shared.ts";

const react18Config = fileURLToPath(new URL("./vitest.react-18.config.ts", import.meta.url));

/**
 * The package's tests under React 19 (`react`), and the same tests under React 18 (`react-18`, from
 * `vitest.react-18.config.ts`). A workspace that lists that file itself runs it once; otherwise this project
 * adds it, so the root `vitest run` (which finds one config per package) runs both.
 */
export default defineProject({
  ...reactProjectBase,
  test: { ...reactProjectBase.test, name: "react", provide: { reactMajor: "19" } },
  plugins: [
    {
      name: "meshwork:react-18-project",
      async configureVitest({ vitest, injectTestProjects }) {
        if (vitest.projects.some((project) => project.name === "react-18")) return;
        await injectTestProjects(react18Config);
      },
    },
  ],
});
