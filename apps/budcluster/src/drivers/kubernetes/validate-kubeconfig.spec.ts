import { closedPort, kubeconfigYaml } from './test-fixtures';
import { validateKubeconfig } from './validate-kubeconfig';

describe('validateKubeconfig', () => {
  it('refuses text that is not YAML', async () => {
    const verdict = await validateKubeconfig('clusters: [unclosed\n  - {');
    expect(verdict).toEqual({ ok: false, reason: expect.stringMatching(/^kubeconfig does not parse: /) });
  });

  it('refuses an empty kubeconfig', async () => {
    expect(await validateKubeconfig(' \n')).toEqual({ ok: false, reason: 'kubeconfig does not parse: it is empty' });
  });

  it.each(['just a string', '- a\n- list'])('refuses YAML that is not a mapping: %j', async (text) => {
    const verdict = await validateKubeconfig(text);
    expect(verdict).toEqual({ ok: false, reason: 'kubeconfig does not parse: expected a YAML mapping with clusters, users and contexts' });
  });

  it('refuses a kubeconfig with two contexts', async () => {
    const verdict = await validateKubeconfig(kubeconfigYaml('https://127.0.0.1:6443', ['staging', 'production']));
    expect(verdict).toEqual({ ok: false, reason: 'kubeconfig has 2 contexts; exactly one is required' });
  });

  it('refuses a kubeconfig with no context', async () => {
    const verdict = await validateKubeconfig(kubeconfigYaml('https://127.0.0.1:6443', []));
    expect(verdict).toEqual({ ok: false, reason: 'kubeconfig has 0 contexts; exactly one is required' });
  });

  it('refuses a cluster whose API server refuses the connection, naming the server', async () => {
    const port = await closedPort();
    const verdict = await validateKubeconfig(kubeconfigYaml(`https://127.0.0.1:${port}`));
    expect(verdict).toEqual({
      ok: false,
      reason: `cluster at https://127.0.0.1:${port} is unreachable: connect ECONNREFUSED 127.0.0.1:${port}`,
    });
  });
});
