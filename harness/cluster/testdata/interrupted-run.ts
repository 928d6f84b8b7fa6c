/**
 * A run that starts a labelled network and two labelled containers, then waits to be interrupted.
 * cleanup.containers.test.ts runs it as a child process and sends it SIGINT or SIGKILL.
 * argv: <runId> <image>
 */
import { GenericContainer } from 'testcontainers';
import { createLabelledNetwork } from '../cleanup.ts';
import { execaRunner } from '../command.ts';
import { RunScope } from '../run-scope.ts';

const [runId, image] = process.argv.slice(2) as [string, string];
const scope = new RunScope({ runId, log: (line) => process.stderr.write(`${line}\n`) });
scope.handleSignals();
const runner = execaRunner();
const network = await createLabelledNetwork(`kpc-test-${runId}`, scope.labels('test'), { runner });
scope.defer(`network kpc-test-${runId}`, network.remove);
for (const name of ['a', 'b']) {
  const container = await new GenericContainer(image)
    .withLabels(scope.labels('test'))
    .withNetworkMode(`kpc-test-${runId}`)
    .withCommand(['sleep', '3600'])
    .start();
  scope.defer(`container ${name}`, async () => {
    await container.stop({ timeout: 0 });
  });
}
process.stdout.write('ready\n');
// Keeps the process alive until a signal arrives; the handler exits it after cleanup.
setInterval(() => {}, 1 << 30);
