import { expect } from 'chai';
import type { CaseResult } from '../report/verdict.ts';
import { exportKindLogs, type VariantOutcome } from './conformance.ts';

const result = (variant: string, status: 'passed' | 'failed' | 'broken'): CaseResult => ({
  id: `case-${status}`,
  scenario: 's',
  title: `case-${status}`,
  variant,
  level: 'MUST',
  tags: [],
  parameters: {},
  attempts: [{ status, startedAt: '2026-11-27T05:00:00.000Z', durationMs: 1 }],
});

const outcome = (variant: string, provider: string): VariantOutcome => ({
  variant,
  cluster: { name: `kpc-${variant}`, provider, note: '' },
  switches: [],
  configs: [],
});

describe('node logs of a run', () => {
  it('exports kind logs only for the clusters where a case failed or broke', async () => {
    const exported: string[] = [];
    const lines: string[] = [];
    await exportKindLogs(
      {
        exportLogs: async (name, dir) => {
          exported.push(`${name} -> ${dir}`);
          return { exported: true, dir };
        },
      },
      [
        { outcome: outcome('baseline', 'kind'), results: [result('baseline', 'passed')] },
        {
          outcome: outcome('candidate', 'kind'),
          results: [result('candidate', 'passed'), result('candidate', 'broken')],
        },
        { outcome: outcome('other', 'existing'), results: [result('other', 'failed')] },
      ],
      '/out',
      (l) => lines.push(l),
    );
    expect(exported).to.deep.equal(['kpc-candidate -> /out/kind-logs/kpc-candidate']);
    expect(lines).to.deep.equal(['node logs of kpc-candidate: /out/kind-logs/kpc-candidate']);
  });

  it('says why when kind could not export them, without failing the run', async () => {
    const lines: string[] = [];
    await exportKindLogs(
      { exportLogs: async () => Promise.reject(new Error('kind: command not found')) },
      [{ outcome: outcome('candidate', 'kind'), results: [result('candidate', 'failed')] }],
      '/out',
      (l) => lines.push(l),
    );
    expect(lines).to.deep.equal(['node logs of kpc-candidate not exported: kind: command not found']);
  });
});
