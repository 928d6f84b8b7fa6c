/**
 * Matrix expansion: parameters × axes → distinct, stably named cases such as
 * `sidecar-exec[handler=exec,period=1]`, in axis declaration order.
 */
import type { FieldPath } from './issues.ts';
import { didYouMean } from './suggest.ts';
import type { Param } from './template.ts';

export interface ScenarioCase {
  /** `<scenario>` or `<scenario>[axis=label,…]`. */
  readonly id: string;
  /** Axis → the label of the value this case takes. */
  readonly labels: Readonly<Record<string, string>>;
  /** Every parameter and axis value, unrendered, with where it was written. */
  readonly params: Readonly<Record<string, Param>>;
}

export interface MatrixInput {
  readonly parameters?: Readonly<Record<string, unknown>>;
  readonly matrix?: Readonly<Record<string, readonly unknown[] | Readonly<Record<string, unknown>>>>;
  readonly exclude?: readonly Readonly<Record<string, string | number | boolean>>[];
}

export interface MatrixProblem {
  readonly path: FieldPath;
  readonly message: string;
  readonly atKey?: boolean;
}

/** More cases than this is a mistake in a matrix, not a test plan. */
export const maxCases = 256;

const labelPattern = /^-?[A-Za-z0-9][A-Za-z0-9_.-]*$/;

interface AxisValue {
  readonly label: string;
  readonly param: Param;
}

export function expandCases(
  scenario: string,
  input: MatrixInput,
): { cases: ScenarioCase[]; problems: MatrixProblem[] } {
  const problems: MatrixProblem[] = [];
  const constants: Record<string, Param> = {};
  for (const [name, value] of Object.entries(input.parameters ?? {})) {
    constants[name] = { value, origin: ['parameters', name] };
  }

  const axes: [string, AxisValue[]][] = [];
  for (const [axis, values] of Object.entries(input.matrix ?? {})) {
    if (Object.hasOwn(constants, axis)) {
      problems.push({
        path: ['matrix', axis],
        atKey: true,
        message: `\`${axis}\` is also a parameter; use one name once`,
      });
      continue;
    }
    axes.push([axis, axisValues(axis, values, problems)]);
  }

  const labelsOf = new Map(axes.map(([axis, values]) => [axis, values.map((v) => v.label)]));
  const excluded = (input.exclude ?? []).map((entry, index) => {
    for (const [axis, label] of Object.entries(entry)) {
      const labels = labelsOf.get(axis);
      if (labels === undefined) {
        problems.push({
          path: ['exclude', index, axis],
          atKey: true,
          message: `unknown matrix axis \`${axis}\`${didYouMean(axis, labelsOf.keys())}`,
        });
      } else if (!labels.includes(String(label))) {
        problems.push({
          path: ['exclude', index, axis],
          message: `\`${axis}\` has no value \`${String(label)}\`${didYouMean(String(label), labels)} (values: ${labels.join(', ')})`,
        });
      }
    }
    return Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, String(v)]));
  });
  if (problems.length > 0) return { cases: [], problems };

  const total = axes.reduce((n, [, values]) => n * values.length, 1);
  if (total > maxCases) {
    return {
      cases: [],
      problems: [{ path: ['matrix'], message: `${total} combinations; at most ${maxCases} cases` }],
    };
  }

  let combinations: AxisValue[][] = [[]];
  for (const [, values] of axes) combinations = combinations.flatMap((c) => values.map((v) => [...c, v]));
  const cases: ScenarioCase[] = [];
  for (const combination of combinations) {
    const labels: Record<string, string> = {};
    const params: Record<string, Param> = { ...constants };
    combination.forEach((value, i) => {
      const axis = axes[i]![0];
      labels[axis] = value.label;
      params[axis] = value.param;
    });
    if (excluded.some((e) => Object.entries(e).every(([axis, label]) => labels[axis] === label))) continue;
    cases.push({ id: caseId(scenario, labels), labels, params });
  }
  if (cases.length === 0) problems.push({ path: ['exclude'], message: 'the exclusions leave no case' });
  return { cases, problems };
}

function axisValues(
  axis: string,
  values: readonly unknown[] | Readonly<Record<string, unknown>>,
  problems: MatrixProblem[],
): AxisValue[] {
  if (!Array.isArray(values)) {
    return Object.entries(values).map(([label, value]) => ({
      label,
      param: { value, origin: ['matrix', axis, label] },
    }));
  }
  const seen = new Set<string>();
  return values.flatMap((value, index) => {
    const label = String(value);
    const path = ['matrix', axis, index];
    if (!labelPattern.test(label)) {
      problems.push({
        path,
        message: `\`${label}\` cannot name a case; write this axis as a mapping of label → value`,
      });
      return [];
    }
    if (seen.has(label)) {
      problems.push({ path, message: `\`${label}\` appears twice in axis \`${axis}\`` });
      return [];
    }
    seen.add(label);
    return [{ label, param: { value, origin: path } }];
  });
}

export function caseId(scenario: string, labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).map(([axis, label]) => `${axis}=${label}`);
  return parts.length === 0 ? scenario : `${scenario}[${parts.join(',')}]`;
}
