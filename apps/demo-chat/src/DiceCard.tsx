import { useCommand } from "@meshwork/react";
import type { DemoClient } from "./connection";

/** A command round trip: the instance serving this tab rolls a die and says so in its answer. */
export function DiceCard() {
  const roll = useCommand<DemoClient, "demo/roll">("demo/roll");
  return (
    <section className="card dice" aria-label="Command">
      <h2 className="card-title">Command</h2>
      <p className="muted small">
        Sends the <code>demo/roll</code> command; whichever instance serves this tab answers.
      </p>
      <div className="dice-row">
        <button
          type="button"
          className="primary"
          data-testid="command-button"
          disabled={roll.loading}
          onClick={() => {
            roll.call(undefined).catch(() => {
              // The error shows below.
            });
          }}
        >
          Roll a die
        </button>
        <output className="dice-answer" data-testid="command-answer" aria-live="polite">
          {roll.error ? roll.error.message : (roll.data?.text ?? "")}
        </output>
      </div>
    </section>
  );
}
