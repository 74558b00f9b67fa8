import { defineConfig } from "vite";

// Workspace packages resolve to their TypeScript sources, so the demo builds without building them first.
export default defineConfig({
  resolve: { conditions: ["source", "module", "browser", "development|production"] },
});
