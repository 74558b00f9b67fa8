/** The prom-client module, typed loosely enough that its types are only needed where it is used. */
export type PromClient = typeof import("prom-client");

let loading: Promise<PromClient> | null = null;

/**
 * Imports prom-client the first time a server turns metrics on, never before: it is an optional peer dependency,
 * so applications without metrics need not install it. Rejects with an error that says what to install.
 */
export function loadPromClient(): Promise<PromClient> {
  loading ??= import("prom-client").then(
    (module) => ((module as { default?: PromClient }).default ?? module) as PromClient,
    (cause: unknown) => {
      loading = null;
      throw new Error(
        'meshwork: the "metrics" option needs the optional peer dependency "prom-client"; install it ' +
          "(npm install prom-client) or turn metrics off",
        { cause },
      );
    },
  );
  return loading;
}
