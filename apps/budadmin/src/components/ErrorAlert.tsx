import { Alert } from 'antd';
import { ApiError, describeError } from '../api/api-error';

/** A failed request as people read it: the server's message and each field it names, never raw JSON. */
export function ErrorAlert({ error, title = 'Something went wrong' }: { error: unknown; title?: string }) {
  const details = error instanceof ApiError ? error.details : [];
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      message={title}
      description={
        <div>
          <div>{error instanceof ApiError ? error.message : describeError(error)}</div>
          {details.length > 0 && (
            <ul style={{ margin: '4px 0 0', paddingLeft: 20 }}>
              {details.map((d) => (
                <li key={`${d.path}:${d.message}`}>
                  <code>{d.path}</code> {d.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      }
    />
  );
}
