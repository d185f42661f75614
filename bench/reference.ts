/**
 * client_golang's figures for the same workloads, published with the workload definitions: measured
 * elsewhere (client_golang 1.14, Go 1.19, a 2-core machine of the same kind, medians of 3 runs), never run
 * here. Shown beside our rows for orientation only, and only where client_golang was not measured in the
 * run itself (bench/go-peer.ts does that whenever Go and Debian's client_golang packages are installed).
 */
import { encodeAloneName, scrapeName } from './cases/scrape.js';
import { HOT_PATH_NAMES } from './cases/hot-paths.js';
import { NATIVE_NAMES } from './cases/native.js';

export interface Reference {
  readonly value: number;
  readonly unit: string;
}

export const REFERENCE_SOURCE =
  'client_golang 1.14 / Go 1.19, measured elsewhere on a 2-core machine (medians of 3 runs)';

export const CLIENT_GOLANG: Readonly<Record<string, Reference>> = {
  [scrapeName('W1')]: { value: 28, unit: 'ms' },
  [encodeAloneName('W1')]: { value: 13.8, unit: 'ms' },
  [scrapeName('W3')]: { value: 995, unit: 'ms' },
  [HOT_PATH_NAMES.H1]: { value: 3.2, unit: 'ns/op' },
  [HOT_PATH_NAMES.H2]: { value: 257, unit: 'ns/op' },
  [HOT_PATH_NAMES.H3]: { value: 39.8, unit: 'ns/op' },
  [HOT_PATH_NAMES.H4]: { value: 297, unit: 'ns/op' },
  // scripts/golden/bench/native_test.go, run on the bench's own 2-core machine (its H3 classic gave 37.7 ns/op,
  // W1 classic protobuf 8.2 ms): medians of 3 runs of `go test -bench . -benchtime 2s -count 3`.
  [NATIVE_NAMES.H3n]: { value: 59.7, unit: 'ns/op' },
  [NATIVE_NAMES.W1n]: { value: 23.5, unit: 'ms' },
};
