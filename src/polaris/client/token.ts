import { createHash } from "node:crypto";

export interface TokenOwner {
  uri: string;
  realm?: string;
  clientId: string;
  clientSecret: string;
  scope: string;
}

export interface IssuedToken {
  accessToken: string;
  /** Lifetime the server announced (expires_in); undefined when it announced none. */
  lifetimeMs?: number;
}

interface CachedToken {
  value: string;
  /** When it was asked for, by the cache's clock. */
  issuedAt: number;
  refreshAt: number;
  expiresAt: number;
}

interface Entry {
  token?: CachedToken;
  pending?: Promise<string>;
}

// Polaris' default; used only when the token response leaves expires_in out.
const ASSUMED_LIFETIME_MS = 3_600_000;
const MAX_REFRESH_MARGIN_MS = 60_000;
const MIN_REFRESH_MARGIN_MS = 1_000;

/**
 * One token per (uri, realm, client, scope), shared by every client in the process, so that a deployment
 * touching hundreds of entities asks Polaris for one token instead of hundreds.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A token that is not about to expire; concurrent callers share one request for a new one. */
  async get(owner: TokenOwner, issue: () => Promise<IssuedToken>): Promise<string> {
    const entry = this.entry(owner);
    const { token } = entry;
    if (token && this.now() < token.refreshAt) return token.value;
    entry.pending ??= this.refresh(entry, issue);
    try {
      return await entry.pending;
    } catch (error) {
      // A failed refresh is no reason to fail a call while the old token is still valid.
      if (token && this.now() < token.expiresAt && entry.token === token) return token.value;
      throw error;
    }
  }

  /** The cache's clock now: a mark to compare with issuedSince. */
  mark(): number {
    return this.now();
  }

  /**
   * Whether `value` is the cached token and was asked for at or after `mark`, as opposed to one another
   * caller fetched earlier. Ask right after get(), before another caller can replace it.
   */
  issuedSince(owner: TokenOwner, value: string, mark: number): boolean {
    const { token } = this.entry(owner);
    return token?.value === value && token.issuedAt >= mark;
  }

  /** Forgets `rejected`, which the server refused, unless another caller already replaced it. */
  invalidate(owner: TokenOwner, rejected: string): void {
    const entry = this.entry(owner);
    if (entry.token?.value === rejected) entry.token = undefined;
  }

  clear(): void {
    this.entries.clear();
  }

  private async refresh(entry: Entry, issue: () => Promise<IssuedToken>): Promise<string> {
    try {
      const issuedAt = this.now();
      const { accessToken, lifetimeMs = ASSUMED_LIFETIME_MS } = await issue();
      const margin = refreshMarginMs(lifetimeMs);
      entry.token = {
        value: accessToken,
        issuedAt,
        refreshAt: issuedAt + lifetimeMs - margin,
        expiresAt: issuedAt + lifetimeMs,
      };
      return accessToken;
    } finally {
      entry.pending = undefined;
    }
  }

  private entry(owner: TokenOwner): Entry {
    // The secret is part of the key (hashed, never kept) so that a client with a wrong secret cannot reuse
    // the token another client obtained with the right one.
    const secret = createHash("sha256").update(owner.clientSecret).digest("base64url");
    const key = JSON.stringify([owner.uri, owner.realm ?? "", owner.clientId, owner.scope, secret]);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = {};
      this.entries.set(key, entry);
    }
    return entry;
  }
}

/**
 * How long before expiry to fetch a new token: 10% of the lifetime, at most a minute, so that a call never
 * starts with a token about to expire; at least a second, since JWT expiry is counted in whole seconds and
 * a token can expire up to a second before its announced lifetime.
 */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(MAX_REFRESH_MARGIN_MS, lifetimeMs / 2, Math.max(MIN_REFRESH_MARGIN_MS, lifetimeMs * 0.1));
}

/** The cache every client uses unless given another: one per provider process. */
export const sharedTokenCache = new TokenCache();
