import type { Principal } from './principal';

/** Most tokens remembered; past it the oldest is forgotten first. */
const MAX_ENTRIES = 5000;
/** A remembered verdict is re-checked after this, so a key the JWKS rotates out stops working within a minute. */
const MAX_REMEMBER_MS = 60_000;

/**
 * Tokens whose signature and claims were verified, by their exact text, until they expire: a caller sends the same
 * token on every request, and the signature check is a fixed cost the job create path feels. Only successes are
 * remembered, never past the token's own `exp`.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { principal: Principal; untilMs: number }>();

  constructor(private readonly now: () => number) {}

  get(token: string): Principal | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.untilMs > this.now()) return entry.principal;
    this.entries.delete(token);
    return undefined;
  }

  remember(token: string, principal: Principal, expiresAtSeconds: number): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, { principal, untilMs: Math.min(expiresAtSeconds * 1000, this.now() + MAX_REMEMBER_MS) });
  }
}
