import { SseParser } from './sse';

describe('SseParser', () => {
  it('reads id, event and data of each message', () => {
    expect(new SseParser().push('id: 1\nevent: component.status\ndata: {"a":1}\n\nid: 2\ndata: x\n\n')).toEqual([
      { id: '1', event: 'component.status', data: '{"a":1}' },
      { id: '2', event: 'message', data: 'x' },
    ]);
  });

  it('joins a message split across chunks at any point', () => {
    const text = 'id: 7\nevent: deployment.status\ndata: {"status":"running"}\n\n';
    for (let cut = 1; cut < text.length; cut++) {
      const parser = new SseParser();
      expect([...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))]).toEqual([
        { id: '7', event: 'deployment.status', data: '{"status":"running"}' },
      ]);
    }
  });

  it('skips keep-alive comments and accepts CRLF line ends', () => {
    expect(new SseParser().push(': keep-alive\r\n\r\ndata: a\r\ndata: b\r\n\r\n')).toEqual([{ event: 'message', data: 'a\nb' }]);
  });

  it('holds an unfinished message until its blank line arrives', () => {
    const parser = new SseParser();
    expect(parser.push('data: half\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'message', data: 'half' }]);
  });
});
