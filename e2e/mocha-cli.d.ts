/** The part of mocha's CLI option loader (`lib/cli/options.js`, public but untyped) the conformance spec uses. */
declare module 'mocha/lib/cli/options.js' {
  /** Merges argv with .mocharc, package.json and MOCHA_OPTIONS exactly as the mocha CLI does. */
  export function loadOptions(argv?: string[]): { grep?: string; fgrep?: string; invert?: boolean };
}
