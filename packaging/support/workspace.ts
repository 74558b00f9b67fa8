import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The published packages, by folder under packages/ (each is `@meshwork/<folder>`). */
export const PACKAGES = ["protocol", "redis-state", "server", "client", "react"] as const;
export type PackageFolder = (typeof PACKAGES)[number];

export function packageDir(folder: PackageFolder): string {
  return fileURLToPath(new URL(`../../packages/${folder}/`, import.meta.url));
}

/** A tool installed in the workspace root, run without going through a package manager. */
export function rootBin(name: string): string {
  return fileURLToPath(new URL(`../../node_modules/.bin/${name}`, import.meta.url));
}
