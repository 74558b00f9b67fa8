import { render, screen } from "@testing-library/react";
import { useState, version } from "react";
import { version as domVersion } from "react-dom";
import { renderToString } from "react-dom/server";
import { describe, expect, inject, it } from "vitest";

declare module "vitest" {
  interface ProvidedContext {
    /** The React major version the project's config resolves `react` to. */
    reactMajor: string;
  }
}

function Version() {
  const [shown] = useState(version);
  return <p>{shown}</p>;
}

describe("the React a test project runs", () => {
  it("is the version the project names, for react, react-dom and @testing-library/react alike", () => {
    const major = inject("reactMajor");
    expect(version.startsWith(`${major}.`)).toBe(true);
    expect(domVersion).toBe(version);
    // A hook rendered by @testing-library/react throws unless it uses this same React.
    render(<Version />);
    expect(screen.getByText(version)).toBeTruthy();
    expect(renderToString(<Version />)).toBe(`<p>${version}</p>`);
  });
});
