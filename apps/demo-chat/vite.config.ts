import react from "@vitejs/plugin-react";
import { defaultClientConditions, defineConfig } from "vite";

// The workspace packages export their TypeScript sources under the `source` condition, so the app builds
// straight from them without building the packages first.
export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ["source", ...defaultClientConditions] },
  build: { outDir: "dist", emptyOutDir: true },
});
