import { useEffect, useMemo, useRef, useState } from 'react';
import { App as AntApp, Alert, Button, Space, Spin, Typography } from 'antd';
import { Link, useParams } from 'react-router-dom';
import { load, YAMLException } from 'js-yaml';
import { api } from '../api/client';
import { ApiError, describeError } from '../api/api-error';
import { useRequest } from '../api/use-request';
import { ErrorAlert } from '../components/ErrorAlert';
import { lineOfPath } from '../yaml/line-of-path';
import { templateYaml } from '../yaml/template-yaml';

const LINE_HEIGHT = 20;

interface Problem {
  line: number;
  path: string;
  message: string;
}

/** A user template as YAML; the server validates it and each error is shown at its line. */
export default function TemplateEditPage() {
  const { id = '' } = useParams();
  const { message } = AntApp.useApp();
  const template = useRequest(() => api.template(id), [id]);
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [failure, setFailure] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const editor = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (template.data) setText(templateYaml(template.data));
  }, [template.data]);
  const lineCount = useMemo(() => text.split('\n').length, [text]);
  const badLines = new Set(problems.map((p) => p.line));

  if (template.error) return <ErrorAlert error={template.error} title={`Could not load template ${id}`} />;
  if (!template.data) return <Spin />;
  if (template.data.is_system) {
    return (
      <Alert
        type="info"
        showIcon
        message="System templates are read-only"
        description={
          <span>
            Fork it from its <Link to={`/usecases/${id}`}>page</Link> and edit the copy.
          </span>
        }
      />
    );
  }

  const goTo = (line: number) => {
    const area = editor.current;
    if (!area) return;
    const lines = area.value.split('\n');
    const from = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    area.focus();
    area.setSelectionRange(from, from + (lines[line - 1]?.length ?? 0));
    area.scrollTop = Math.max(0, (line - 4) * LINE_HEIGHT);
  };
  const show = (found: Problem[]) => {
    setProblems(found);
    if (found.length > 0) goTo(Math.min(...found.map((p) => p.line)));
  };

  const save = async () => {
    setFailure(undefined);
    let document: unknown;
    try {
      document = load(text);
    } catch (error) {
      const mark = error instanceof YAMLException ? error.mark : undefined;
      show([{ line: (mark?.line ?? 0) + 1, path: '(yaml)', message: error instanceof YAMLException ? error.reason : String(error) }]);
      return;
    }
    setSaving(true);
    try {
      const saved = await api.updateTemplate(id, { ...(document as Record<string, unknown>), revision: template.data!.revision });
      setProblems([]);
      void message.success(`Saved ${saved.id} v${saved.version}`);
      template.reload();
    } catch (error) {
      const listed = error instanceof ApiError && error.details.length > 0;
      show(listed ? error.details.map((d) => ({ ...d, line: lineOfPath(text, d.path) })) : []);
      // Listed problems sit below, each at its line; the banner says only what failed.
      setFailure(listed ? new Error('The server did not accept this template; fix the problems below and save again.') : error);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        Edit {template.data.name}
      </Typography.Title>
      <Typography.Text type="secondary">
        Your copy of {template.data.forked_from ?? 'a template'} · revision {template.data.revision} ·{' '}
        <Link to={`/usecases/${id}`}>view</Link> · <Link to={`/usecases/deploy/${id}`}>deploy</Link>
      </Typography.Text>
      {failure ? <Alert type="error" showIcon message={describeError(failure)} /> : null}
      {problems.length > 0 ? (
        <ul data-testid="yaml-problems" style={{ color: '#cf1322', margin: 0 }}>
          {problems.map((p) => (
            <li key={`${p.line}:${p.path}:${p.message}`}>
              <a onClick={() => goTo(p.line)}>line {p.line}</a>: <code>{p.path}</code> {p.message}
            </li>
          ))}
        </ul>
      ) : null}
      <div
        style={{
          display: 'flex',
          border: '1px solid #d9d9d9',
          borderRadius: 6,
          fontFamily: 'monospace',
          fontSize: 13,
          lineHeight: `${LINE_HEIGHT}px`,
          height: 520,
        }}
      >
        <div
          ref={gutter}
          aria-hidden
          style={{
            padding: '8px 6px',
            textAlign: 'right',
            color: '#8c8c8c',
            background: '#fafafa',
            overflow: 'hidden',
            userSelect: 'none',
            minWidth: 40,
          }}
        >
          {Array.from({ length: lineCount }, (_, i) => (
            <div key={i} data-line={i + 1} style={badLines.has(i + 1) ? { color: '#fff', background: '#ff4d4f' } : undefined}>
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          ref={editor}
          aria-label="Template YAML"
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onScroll={(e) => {
            if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }}
          style={{
            flex: 1,
            border: 0,
            padding: 8,
            resize: 'none',
            outline: 'none',
            fontFamily: 'inherit',
            fontSize: 'inherit',
            lineHeight: 'inherit',
            whiteSpace: 'pre',
            overflow: 'auto',
          }}
        />
      </div>
      <Space>
        <Button type="primary" onClick={() => void save()} loading={saving}>
          Save
        </Button>
        <Button onClick={() => template.data && setText(templateYaml(template.data))}>Revert</Button>
      </Space>
    </Space>
  );
}
