import { cleanCell, renderColumns, renderFields, renderTable } from './table';

describe('renderTable', () => {
  it('aligns columns under an upper-case header, two spaces apart, without trailing spaces', () => {
    const table = renderTable(
      ['id', 'name', 'status'],
      [
        ['simple-rag-v1', 'Simple RAG', 'ok'],
        ['x', 'Enterprise RAG', ''],
      ],
    );
    expect(table.split('\n')).toEqual([
      'ID             NAME            STATUS', //
      'simple-rag-v1  Simple RAG      ok',
      'x              Enterprise RAG',
    ]);
  });

  it('right-aligns numeric columns', () => {
    expect(
      renderTable(
        [{ header: 'name' }, { header: '$/hour', align: 'right' }],
        [
          ['a', '$3.02'],
          ['bb', '$0.05'],
          ['c', '$12.50'],
        ],
      ).split('\n'),
    ).toEqual(['NAME  $/HOUR', 'a      $3.02', 'bb     $0.05', 'c     $12.50']);
  });

  it('prints only the header for no rows', () => {
    expect(renderTable(['id', 'name'], [])).toBe('ID  NAME');
  });

  it('fills missing cells with nothing', () => {
    expect(renderTable(['a', 'b'], [['1']]).split('\n')).toEqual(['A  B', '1']);
  });

  it('counts characters, not UTF-16 units, when aligning', () => {
    expect(
      renderTable(
        ['name', 'x'],
        [
          ['🚀', '1'],
          ['ab', '2'],
        ],
      ).split('\n'),
    ).toEqual(['NAME  X', '🚀     1', 'ab    2']);
  });

  it('neutralises control characters a server might send, so they cannot drive the terminal', () => {
    expect(renderTable(['message'], [['bad\u001b[2Jthing\nnext']]).split('\n')).toEqual(['MESSAGE', 'bad [2Jthing next']);
  });
});

describe('renderColumns and renderFields', () => {
  it('aligns label and value blocks with an indent', () => {
    expect(
      renderFields(
        [
          ['Name', 'demo'],
          ['Namespace', 'uc-1'],
        ],
        '  ',
      ).split('\n'),
    ).toEqual(['  Name:       demo', '  Namespace:  uc-1']);
  });

  it('renders nothing for no rows', () => {
    expect(renderColumns([])).toBe('');
  });
});

describe('cleanCell', () => {
  it('keeps ordinary text as it is', () => {
    expect(cleanCell('job 1 created: ok')).toBe('job 1 created: ok');
  });
});
