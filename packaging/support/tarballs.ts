import { PACKAGES, type PackageFolder, ROOT, packageDir } from "./workspace";
import { runOk } from "./exec";

/** One packed package: the tarball `pnpm pack` wrote and the paths it holds. */
export interface Tarball {
  readonly name: string;
  readonly file: string;
  readonly files: readonly string[];
}

/**
 * Builds every package (turbo reuses an unchanged build, so after `pnpm build:packages`, which `pnpm test` runs
 * first, this takes a second) and packs each with `pnpm pack`, which applies
 * `publishConfig` and turns `workspace:*` ranges into versions, exactly as publishing does.
 */
export async function buildAndPack(destination: string): Promise<Record<PackageFolder, Tarball>> {
  await runOk("pnpm", ["exec", "turbo", "run", "build", "--filter=./packages/*", "--output-logs=errors-only"], {
    cwd: ROOT,
    timeoutMs: 240_000,
  });
  const packed = await Promise.all(
    PACKAGES.map(async (folder) => {
      const { stdout } = await runOk("pnpm", ["pack", "--json", "--pack-destination", destination], {
        cwd: packageDir(folder),
        timeoutMs: 30_000,
      });
      const report = JSON.parse(stdout) as { name: string; filename: string; files: { path: string }[] };
      const tarball: Tarball = { name: report.name, file: report.filename, files: report.files.map((f) => f.path) };
      return [folder, tarball] as const;
    }),
  );
  return Object.fromEntries(packed) as Record<PackageFolder, Tarball>;
}
