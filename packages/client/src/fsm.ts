/** An event a state machine reacts to: an object with a literal `type`. */
export interface MachineEvent {
  readonly type: string;
}

/** Where an event leads: a fixed state, or a function of the event and context (`undefined` ignores it). */
export type Target<TState extends string, TEvent, TContext> =
  | TState
  | ((event: TEvent, context: Readonly<TContext>) => TState | undefined);

/**
 * The single transition table: for each state, the events it accepts and where they lead. Events a state does
 * not list are ignored in that state. A state may lead to itself: the machine then leaves it and enters it again.
 */
export type TransitionTable<TState extends string, TEvent extends MachineEvent, TContext> = {
  readonly [S in TState]: {
    readonly [T in TEvent["type"]]?: Target<TState, Extract<TEvent, { type: T }>, TContext>;
  };
};

/** Undoes what an effect started; gets the event that made the machine leave the effect's states. */
export type Cleanup<TEvent> = (event: TEvent | undefined) => void;

/**
 * Work that lives while the machine is in any of `states`: `enter` runs on entering the group from outside it
 * (or re-entering one of its states), and the cleanup it returns runs on leaving the group (or before that
 * re-entry), so no timer or socket outlives the states it belongs to.
 */
export interface StateEffect<TState extends string, TEvent extends MachineEvent, TContext> {
  readonly states: readonly TState[];
  // biome-ignore lint/suspicious/noConfusingVoidType: an entry effect that sets nothing up returns nothing.
  readonly enter: (context: TContext, event: TEvent) => Cleanup<TEvent> | void;
}

/** One step the machine took. */
export interface Transition<TState extends string, TEvent extends MachineEvent> {
  readonly from: TState;
  readonly to: TState;
  readonly event: TEvent;
}

/**
 * A small finite state machine: one transition table, effects tied to groups of states, and transition
 * listeners. Events sent while a transition is running (from an effect or listener) are queued and handled
 * after it, so every transition completes before the next one starts.
 */
export class StateMachine<TState extends string, TEvent extends MachineEvent, TContext> {
  /** Mutable data shared by targets and effects, such as attempt counters. */
  readonly context: TContext;
  readonly #table: TransitionTable<TState, TEvent, TContext>;
  readonly #effects: readonly StateEffect<TState, TEvent, TContext>[];
  readonly #active = new Map<StateEffect<TState, TEvent, TContext>, Cleanup<TEvent> | undefined>();
  readonly #listeners = new Set<(transition: Transition<TState, TEvent>) => void>();
  readonly #inbox: TEvent[] = [];
  #state: TState;
  #running = false;

  /** Builds a machine in its initial state; no effect runs until the first transition. */
  constructor(config: {
    readonly initial: TState;
    readonly context: TContext;
    readonly transitions: TransitionTable<TState, TEvent, TContext>;
    readonly effects?: readonly StateEffect<TState, TEvent, TContext>[];
  }) {
    this.#state = config.initial;
    this.context = config.context;
    this.#table = config.transitions;
    this.#effects = config.effects ?? [];
  }

  /** The current state. */
  get state(): TState {
    return this.#state;
  }

  /** Calls `listener` after each transition, once the old state's effects are cleaned up. */
  onTransition(listener: (transition: Transition<TState, TEvent>) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Sends an event. Ignored when the current state does not accept it. */
  send(event: TEvent): void {
    this.#inbox.push(event);
    if (this.#running) return;
    this.#running = true;
    try {
      for (let next = this.#inbox.shift(); next !== undefined; next = this.#inbox.shift()) this.#step(next);
    } finally {
      this.#running = false;
    }
  }

  #step(event: TEvent): void {
    const accepted = this.#table[this.#state] as Record<string, Target<TState, TEvent, TContext> | undefined>;
    const target = accepted[event.type];
    if (target === undefined) return;
    const next = typeof target === "function" ? target(event, this.context) : target;
    if (next === undefined) return;
    const from = this.#state;
    // Leaving a state for itself restarts everything it runs; other moves keep the effects both states share.
    const reentering = next === from;
    for (const [effect, cleanup] of [...this.#active]) {
      if (!reentering && effect.states.includes(next)) continue;
      this.#active.delete(effect);
      cleanup?.(event);
    }
    this.#state = next;
    for (const listener of [...this.#listeners]) listener({ from, to: next, event });
    for (const effect of this.#effects) {
      if (!effect.states.includes(next) || this.#active.has(effect)) continue;
      this.#active.set(effect, effect.enter(this.context, event) ?? undefined);
    }
  }
}
