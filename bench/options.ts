/** The command line of `npm run bench`. */
import type { BenchOptions } from './group.js';

export const USAGE = `usage: npm run bench -- [options]
  --quick          few samples: the whole run takes under a minute
  --json           print only JSON on stdout (progress stays on stderr)
  --report DIR     also write DIR/index.html: the table and bar charts of the ratios
  --only REGEX     run only the measures whose name matches (case-insensitive)
  --fixture FILE   benchmark a conformance fixture's metric set in every format instead
  --list           print the measure names and exit
  --help           print this and exit`;

export interface CliOptions extends BenchOptions {
  readonly json: boolean;
  readonly report: string | undefined;
  readonly list: boolean;
  readonly help: boolean;
}

/** Parses arguments; throws a `UsageError` on anything it does not know. */
export function parseCli(argv: readonly string[]): CliOptions {
  let quick = false;
  let json = false;
  let list = false;
  let help = false;
  let report: string | undefined;
  let only: string | undefined;
  let fixture: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined || next === '') throw new UsageError(`${flag} needs a value`);
      return next;
    };
    const noValue = () => {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
    };
    switch (flag) {
      case '--quick':
        noValue();
        quick = true;
        break;
      case '--json':
        noValue();
        json = true;
        break;
      case '--list':
        noValue();
        list = true;
        break;
      case '--help':
      case '-h':
        noValue();
        help = true;
        break;
      case '--report':
        report = value();
        break;
      case '--only':
        only = value();
        try {
          new RegExp(only, 'i');
        } catch (error) {
          throw new UsageError(`--only: ${(error as Error).message}`);
        }
        break;
      case '--fixture':
        fixture = value();
        break;
      default:
        throw new UsageError(arg.startsWith('-') ? `unknown option ${arg}` : `unexpected argument ${arg}`);
    }
  }
  return { quick, json, report, only, fixture, list, help };
}

export class UsageError extends Error {
  override name = 'UsageError';
}
