import { parseSafeYaml, SafeYamlError } from '@bud/safe-yaml';
import { checkKubeconfig, type KubeconfigPolicyOptions, type KubeconfigPolicyResult } from './kubeconfig-policy';

/**
 * Parses kubeconfig text (bounded, no aliases, no custom tags) and checks it against the inline-credentials
 * policy. Nothing gives the text to the Kubernetes client: on success, `kubeconfig` is what it may load.
 */
export function readKubeconfig(text: string, options: KubeconfigPolicyOptions): KubeconfigPolicyResult {
  if (text.trim() === '') return { ok: false, details: [{ path: 'kubeconfig', message: 'does not parse: it is empty' }] };
  let document: unknown;
  try {
    document = parseSafeYaml(text, 'kubeconfig');
  } catch (error) {
    if (!(error instanceof SafeYamlError)) throw error;
    return {
      ok: false,
      details: [{ path: 'kubeconfig', message: `does not parse: line ${error.line}, column ${error.column}: ${error.reason}` }],
    };
  }
  return checkKubeconfig(document, options);
}

/** One line for an error message: the first detail, and how many more there are. */
export function kubeconfigRefusal(details: ReadonlyArray<{ path: string; message: string }>): string {
  const [first] = details;
  if (!first) return 'the kubeconfig was refused';
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return `the kubeconfig was refused: ${first.path} ${first.message}${more}`;
}
