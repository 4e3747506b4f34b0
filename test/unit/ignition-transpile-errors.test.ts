// Bad input is an error with the YAML path and line:column; modes read as Butane and ct read them.
import { describe, expect, it } from 'vitest';
import { ConfigError, formatDiagnostic } from '../../harness/ignition/diagnostics.ts';
import { isOrdinaryMode, intendedOctalMode } from '../../harness/ignition/mode.ts';
import { transpile } from '../../harness/ignition/transpile.ts';

function errorsOf(yaml: string): string[] {
  try {
    transpile(yaml, { file: 'in.yaml' });
  } catch (err) {
    if (err instanceof ConfigError) return err.diagnostics.map(formatDiagnostic);
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const butane = (body: string): string => `variant: flatcar\nversion: 1.0.0\n${body}`;

describe('transpile errors carry path and line:column', () => {
  it('YAML syntax error', () => {
    expect(errorsOf('storage:\n  files: [a, b\n')).toEqual([expect.stringMatching(/^in\.yaml:3:1: error: YAML syntax: /)]);
  });

  it('unknown key, with a did-you-mean', () => {
    const errs = errorsOf(butane('storage:\n  files:\n    - path: /a\n      contnts:\n        inline: x\n'));
    expect(errs).toEqual(["in.yaml:6:7: error at $.storage.files.0.contnts: unknown key 'contnts' (did you mean 'contents'?)"]);
  });

  it('wrong type: a quoted mode is a string, not an integer', () => {
    expect(errorsOf(butane('storage:\n  files:\n    - path: /a\n      mode: "0644"\n'))).toEqual([
      "in.yaml:6:13: error at $.storage.files.0.mode: expected an integer, got '0644'",
    ]);
  });

  it('wrong type: a list where a mapping belongs', () => {
    expect(errorsOf(butane('systemd:\n  units:\n    - name: a.service\n      dropins: {name: x.conf}\n'))).toEqual([
      'in.yaml:6:16: error at $.systemd.units.0.dropins: expected a list, got a mapping',
    ]);
  });

  it('missing required key, relative path, bad hash and URL scheme', () => {
    const errs = errorsOf(
      butane(
        'storage:\n  files:\n    - mode: 0644\n    - path: opt/x\n    - path: /y\n      contents:\n        source: ftp://h/x\n        verification:\n          hash: sha512-abc\n',
      ),
    );
    expect(errs).toEqual([
      "in.yaml:5:7: error at $.storage.files.0: missing required key 'path'",
      "in.yaml:6:13: error at $.storage.files.1.path: path 'opt/x' must be absolute",
      "in.yaml:9:17: error at $.storage.files.2.contents.source: URL scheme 'ftp' is not supported (use http, https, tftp, s3, gs, data)",
      'in.yaml:11:17: error at $.storage.files.2.contents.verification.hash: sha512 sum must be 128 hex digits, got 3 characters',
    ]);
  });

  it('unsupported Butane version and unknown variant', () => {
    expect(errorsOf('variant: fcos\nversion: 9.9.9\n')).toEqual([
      "in.yaml:1:10: error at $.variant: variant 'fcos' is not supported here (use 'flatcar')",
      "in.yaml:2:10: error at $.version: flatcar version '9.9.9' is not supported (use 1.0.0 or 1.1.0)",
    ]);
  });

  it("the seed's snippet as printed (indentation lost) says where 'files' belongs", () => {
    const errs = errorsOf('storage:\nfiles:\n- path: /opt/k3s-install.sh\nfilesystem: root\n');
    expect(errs[0]).toBe("in.yaml:2:1: error at $.files: unknown key 'files' ('files' belongs under 'storage', which is empty here: indent it)");
  });

  it('CLC: a filesystem other than root, and a hash without its sum', () => {
    const errs = errorsOf('storage:\n  files:\n    - path: /a\n      filesystem: oem\n      contents:\n        remote:\n          url: http://x/a\n          verification:\n            hash:\n              function: sha512\n');
    expect(errs).toEqual([
      "in.yaml:4:19: error at $.storage.files.0.filesystem: filesystem 'oem' is not supported: only 'root' translates to Ignition 3",
      "in.yaml:10:15: error at $.storage.files.0.contents.remote.verification.hash: missing required key 'sum'",
    ]);
  });

  it('valid but untranslated sections are refused, never dropped', () => {
    expect(errorsOf('etcd:\n  version: 3.5\n')).toEqual(["in.yaml:2:3: error at $.etcd: 'etcd' is valid CLC but not supported by the lab's transpiler"]);
  });

  it('duplicate paths are an error', () => {
    expect(errorsOf(butane('storage:\n  files:\n    - path: /a\n  directories:\n    - path: /a\n'))[0]).toMatch(/directory '\/a' is already defined as a file/);
  });
});

describe('modes as Butane and ct read them', () => {
  const modeOf = (m: string): { mode?: number; warnings: string[] } => {
    const r = transpile(butane(`storage:\n  files:\n    - path: /a\n      mode: ${m}\n`), { file: 'in.yaml' });
    return { mode: r.ignition.storage?.files?.[0]?.mode, warnings: r.warnings.map(formatDiagnostic) };
  };

  it('0755 and 0o755 are octal; 493 is decimal for the same mode', () => {
    expect(modeOf('0755')).toEqual({ mode: 0o755, warnings: [] });
    expect(modeOf('0o755')).toEqual({ mode: 0o755, warnings: [] });
    expect(modeOf('493')).toEqual({ mode: 0o755, warnings: [] });
  });

  it('a bare 777 is decimal 777 = 0o1411 and gets the warning', () => {
    const r = modeOf('777');
    expect(r.mode).toBe(777);
    expect(r.mode).toBe(0o1411);
    expect(r.warnings).toEqual([expect.stringMatching(/^in\.yaml:6:13: warning at \$\.storage\.files\.0\.mode: mode 777 is decimal \(= 0o1411\).*0777/)]);
  });

  it('644 (decimal) warns, 420 (decimal for 0644) does not', () => {
    expect(modeOf('644').warnings).toHaveLength(1);
    expect(modeOf('420').warnings).toEqual([]);
  });

  it('CLC reads modes the same way', () => {
    const r = transpile('storage:\n  files:\n    - path: /a\n      filesystem: root\n      mode: 0644\n', { file: 'in.yaml' });
    expect(r.ignition.storage?.files?.[0]).toMatchObject({ mode: 0o644, overwrite: true });
  });

  it('ordinary modes as Butane judges them', () => {
    expect(isOrdinaryMode(0o755, false)).toBe(true);
    expect(isOrdinaryMode(0o1411, false)).toBe(false);
    expect(isOrdinaryMode(0o740, false)).toBe(false); // rwxr----- : group reads but cannot run
    expect(isOrdinaryMode(0o1777, true)).toBe(true); // /tmp
    expect(intendedOctalMode(755, false)).toBe(0o755);
    expect(intendedOctalMode(0o644, false)).toBeUndefined();
    expect(intendedOctalMode(750, true)).toBe(0o750);
  });
});
