import { type FailedReportSource, reportWhenTheReportFailed } from '../src/domain/report.js';

/**
 * The parameters of the state machine's `report failed` Pass state (infra/definition.ts), derived from
 * the domain's `reportWhenTheReportFailed`, so the two cannot disagree on a report field.
 */

/** Where the `report failed` state reads each part of the failed report from: the per-target document. */
const FAILED_REPORT_PATHS: Readonly<Record<keyof FailedReportSource, string>> = {
  rotationId: '$.state.rotationId',
  targetName: '$.state.targetName',
  mode: '$.state.mode',
  warnings: '$.state.warnings',
  errorName: '$.caught.Error',
};

/** Escapes text for a `States.Format` template: its special characters are `'`, `{`, `}` and `\`. */
const formatLiteral = (text: string) => text.replace(/[\\'{}]/g, (c) => `\\${c}`);

/**
 * The Pass state's parameters that build `reportWhenTheReportFailed` (src/domain/report.ts) from the
 * document: the domain function is called once with a marker for each of its inputs, and each field of
 * the report it returns becomes a constant (no marker; a null through `States.StringToJson`, as CDK
 * drops nulls), a path (exactly one marker) or a `States.Format` (markers inside text). One source: a
 * field added to the report appears here too.
 */
export function failedReportParameters(): Record<string, unknown> {
  const marker = (key: string) => `⟦${key}⟧`;
  const inputs = Object.keys(FAILED_REPORT_PATHS) as (keyof FailedReportSource)[];
  const report = reportWhenTheReportFailed(
    Object.fromEntries(inputs.map((key) => [key, marker(key)])) as unknown as FailedReportSource,
  );
  const parameters: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(report)) {
    const whole = inputs.find((key) => value === marker(key));
    if (whole) {
      parameters[`${field}.$`] = FAILED_REPORT_PATHS[whole];
    } else if (typeof value === 'string' && value.includes('⟦')) {
      const parts = value.split(/⟦(\w+)⟧/);
      const template = parts.map((part, i) => (i % 2 === 0 ? formatLiteral(part) : '{}')).join('');
      const paths = parts
        .filter((_, i) => i % 2 === 1)
        .map((key) => FAILED_REPORT_PATHS[key as keyof FailedReportSource]);
      parameters[`${field}.$`] = `States.Format('${template}', ${paths.join(', ')})`;
    } else if (value === null) {
      // CDK drops a null from a state's Parameters (it renders nothing for it): the intrinsic yields the null.
      parameters[`${field}.$`] = "States.StringToJson('null')";
    } else {
      if (JSON.stringify(value)?.includes('⟦'))
        throw new Error(`report field ${field} nests an input of the failed report: write it as a path here`);
      parameters[field] = value;
    }
  }
  return parameters;
}
