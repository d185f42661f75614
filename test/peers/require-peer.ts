/**
 * The one rule for tests that need a peer program (promtool, Debian's Python prometheus_client...):
 * with CI=true a missing peer is a failure, never a silent skip; elsewhere the tests are skipped with
 * the reason, so a developer without the peer still gets a green run and knows what was not checked.
 */

import { accessSync, constants } from 'node:fs';

/** What a test knows about a peer: its name and, when it cannot be used, why. */
export interface PeerStatus {
  readonly name: string;
  /** Undefined when the peer is usable; otherwise a human-readable reason (not found, broken...). */
  readonly missing: string | undefined;
}

/** True when running in CI (the CI variable set to `true`, as CI services do). */
export function inCI(): boolean {
  const ci = process.env.CI?.trim().toLowerCase();
  return ci === 'true' || ci === '1';
}

/**
 * Options for `describe`/`it` of tests that need `peer`. Outside CI, a missing peer skips them with the
 * reason; in CI nothing is skipped, so the tests run and fail (see `assertPeer`).
 */
export function peerOptions(peer: PeerStatus): { skip?: string } {
  if (peer.missing === undefined || inCI()) return {};
  return {
    skip: `${peer.name} is not available: ${peer.missing} (with CI=true this is a failure, not a skip)`,
  };
}

/** Throws a clear error when the peer is missing: what makes a peer test fail in CI. */
export function assertPeer(peer: PeerStatus): void {
  if (peer.missing === undefined) return;
  throw new Error(
    `required peer ${peer.name} is missing: ${peer.missing}` +
      (inCI() ? ' (CI=true: peers are mandatory, install them as .ci/run does)' : ''),
  );
}

/** True when `path` is a file this process may execute. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
