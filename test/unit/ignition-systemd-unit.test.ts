// The unit-file reading lint relies on: spaces around '=', quoted Environment= words, continuations.
import { describe, expect, it } from 'vitest';
import { parseUnit, splitQuoted, unitEnvironment } from '../../harness/ignition/systemdUnit.ts';
import { execWords, serverFlag } from '../../harness/ignition/lint/facts.ts';

describe('systemd unit reading', () => {
  it("reads the seed's 'Wants = network-online.target' and section keys with their line", () => {
    const entries = parseUnit('[Unit]\nWants = network-online.target\n# comment\n[Service]\nType=forking\n');
    expect(entries).toEqual([
      { section: 'Unit', key: 'Wants', value: 'network-online.target', line: 1 },
      { section: 'Service', key: 'Type', value: 'forking', line: 4 },
    ]);
  });

  it('joins backslash continuations', () => {
    expect(parseUnit('[Service]\nExecStart=/bin/a \\\n  --b\n')[0]).toMatchObject({ value: '/bin/a  --b', line: 1 });
  });

  it('splits Environment= like systemd: quotes group, several assignments per line', () => {
    const env = unitEnvironment(parseUnit('[Service]\nEnvironment="A=1 2" B=3\nEnvironment="INSTALL_K3S_EXEC=\'--server\' \'https://10.0.0.70:6443\'"\n'));
    expect(env).toEqual([
      { name: 'A', value: '1 2', line: 1 },
      { name: 'B', value: '3', line: 1 },
      { name: 'INSTALL_K3S_EXEC', value: "'--server' 'https://10.0.0.70:6443'", line: 2 },
    ]);
  });

  it('reads --server the way install.sh does after its eval removes the quotes', () => {
    expect(serverFlag(execWords("'--server' 'https://10.0.0.70:6443'"))).toBe('https://10.0.0.70:6443');
    expect(serverFlag(execWords('server --server=https://10.0.0.70:6443'))).toBe('https://10.0.0.70:6443');
    expect(serverFlag(execWords('server --cluster-init'))).toBeUndefined();
    expect(splitQuoted(`a "b c" 'd'`)).toEqual(['a', 'b c', 'd']);
  });
});
