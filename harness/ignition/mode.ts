/**
 * File modes as users write them. YAML readers used by Butane and ct take `0755` and `0o755` as
 * octal, but a bare `777` is decimal 777 = 0o1411 (sticky bit, owner read only). Butane warns when a
 * mode is odd as written but ordinary once its digits are read as octal; this does the same check.
 */

/** The digits of a decimal number read as octal (777 → 0o777), or undefined if a digit is 8/9 or it is too long. */
export function decimalDigitsAsOctal(mode: number): number | undefined {
  if (!Number.isInteger(mode) || mode < 0 || mode > 7777) return undefined;
  const digits = String(mode);
  return /^[0-7]+$/.test(digits) ? parseInt(digits, 8) : undefined;
}

/**
 * Whether a mode is one people actually use: each wider class has no bit the narrower one lacks,
 * nothing is write- or execute-only, someone can read; directories are searchable; files are not sticky.
 */
export function isOrdinaryMode(mode: number, isDirectory: boolean): boolean {
  if (mode === 0) return true;
  const classes = [(mode >> 6) & 7, (mode >> 3) & 7, mode & 7]; // owner, group, other
  for (let i = 1; i < classes.length; i++) {
    const narrower = classes[i - 1]!;
    const wider = classes[i]!;
    if ((wider & ~narrower) !== 0) return false;
  }
  for (const c of classes) {
    if (c !== 0 && (c & 4) === 0) return false; // -w-, --x, -wx: someone may write or run but not read
  }
  // rwxr-----: a wider class may read but not run what a narrower class runs
  for (let i = 0; i < classes.length; i++) {
    for (let j = i + 1; j < classes.length; j++) {
      if ((classes[i]! & 1) !== 0 && (classes[j]! & 4) !== 0 && (classes[j]! & 1) === 0) return false;
    }
  }
  if ((classes[0]! & 4) === 0) return false;
  const special = mode & 0o7000;
  if (isDirectory) {
    if ((classes[0]! & 1) === 0) return false;
    if (special & 0o4000) return false;
    if (special & 0o3000 && (mode & 0o222) === 0) return false;
  } else {
    if (special & 0o1000) return false;
    if (special & 0o6000 && ((mode & 0o111) === 0 || (mode & 0o002) !== 0)) return false;
  }
  return true;
}

/** If `mode` looks like octal digits written without the leading zero, the mode the user meant. */
export function intendedOctalMode(mode: number, isDirectory: boolean): number | undefined {
  const octal = decimalDigitsAsOctal(mode);
  if (octal === undefined) return undefined;
  return !isOrdinaryMode(mode, isDirectory) && isOrdinaryMode(octal, isDirectory) ? octal : undefined;
}

export function formatOctal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

export function decimalModeMessage(mode: number, intended: number): string {
  return `mode ${mode} is decimal (= 0o${mode.toString(8)}); as octal digits it would be the usual ${formatOctal(intended)} — write it with a leading zero: ${formatOctal(intended)}`;
}
