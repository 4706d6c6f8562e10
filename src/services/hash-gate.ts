// A crowd at opening time: each sign-in's scrypt holds 16 MiB for ~300 ms of CPU, and an isolate has
// 128 MB for all its requests. Since the hash yields to the event loop, one isolate would otherwise
// start every sign-in that arrives and hold all their buffers at once (8 of them pass the limit, and
// the isolate is reset, failing every request in it). So at most `slots` hashes run at once per
// isolate, in arrival order; the others wait as a promise, allocating nothing. Past `queueMax`
// waiting, a sign-in is answered at once "try again in a minute" rather than left to time out.
// (Cloudflare "Workers limits": 128 MB memory per isolate.)

export type HashGateSettings = { slots: number; queueMax: number }

class HashGate {
  private running = 0
  private readonly waiting: Array<() => void> = []

  constructor(readonly settings: HashGateSettings) {}

  /** A slot for one hash (call the returned function once, when done), or null when too busy. */
  async enter(): Promise<(() => void) | null> {
    if (this.running < this.settings.slots) {
      this.running++
    } else {
      if (this.waiting.length >= this.settings.queueMax) return null
      // The slot is handed over by `leave`, which does not free it in between.
      await new Promise<void>((resolve) => this.waiting.push(resolve))
    }
    let left = false
    return () => {
      if (left) return
      left = true
      this.leave()
    }
  }

  private leave() {
    const next = this.waiting.shift()
    if (next) next()
    else this.running--
  }

  get state() {
    return { running: this.running, waiting: this.waiting.length }
  }
}

let gate: HashGate | undefined

/** This isolate's gate (a new one if the settings changed, as in tests). */
function gateFor(settings: HashGateSettings): HashGate {
  if (
    !gate ||
    gate.settings.slots !== settings.slots ||
    gate.settings.queueMax !== settings.queueMax
  ) {
    gate = new HashGate(settings)
  }
  return gate
}

/**
 * Runs `work` (which hashes) in its turn; `busy` when more sign-ins already wait than the isolate
 * can serve in reasonable time: nothing of `work` has run then.
 */
export async function withHashSlot<T>(
  settings: HashGateSettings,
  work: () => Promise<T>,
): Promise<{ busy: true } | { busy: false; value: T }> {
  const leave = await gateFor(settings).enter()
  if (!leave) return { busy: true }
  try {
    return { busy: false, value: await work() }
  } finally {
    leave()
  }
}

/** Whether other hashes run or wait beside one that runs: scrypt then yields more often. */
export const hashesCrowded = () => (gate ? gate.state.running + gate.state.waiting > 1 : false)

/** How many hashes run and wait on this isolate now (tests and the bench). */
export const hashGateState = () => gate?.state ?? { running: 0, waiting: 0 }
