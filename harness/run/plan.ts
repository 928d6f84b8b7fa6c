import { caseTestName } from '../report/verdict.ts';
import type { Scenario } from '../scenario/load.ts';
import type { PlannedCase } from './variant-run.ts';

/**
 * Every case of every scenario, `repeat` times, kept where `grep` (a regular expression over the
 * test name: scenario and case id, variant, `@LEVEL`, `@tag`) matches for this variant.
 */
export function planCases(
  scenarios: readonly Scenario[],
  variant: string,
  options: { grep?: RegExp; repeat?: number } = {},
): PlannedCase[] {
  const repeat = Math.max(1, options.repeat ?? 1);
  return scenarios.flatMap((scenario) =>
    scenario.cases.flatMap((scenarioCase) =>
      Array.from({ length: repeat }, (_, i) => {
        const id = i === 0 ? scenarioCase.id : `${scenarioCase.id}#${i + 1}`;
        return { scenario, scenarioCase, repeat: i + 1, id };
      }).filter(
        (planned) =>
          !options.grep ||
          options.grep.test(caseTestName(planned.id, variant, scenario.level, scenario.tags)),
      ),
    ),
  );
}
