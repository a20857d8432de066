/**
 * CSV export of what a table shows. Fields are quoted when needed (RFC 4180) and text that a spreadsheet
 * would run as a formula (=, +, -, @ at the start) is prefixed with an apostrophe: an event property
 * value is attacker-controlled and must not become a formula in someone's Excel.
 */
export type CsvValue = string | number | boolean | null | undefined;

function field(v: CsvValue): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** toCsv renders a header and rows; lines end with CRLF as Excel expects, with a BOM so it reads UTF-8 (中文). */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return `\uFEFF${[header, ...rows].map((r) => r.map(field).join(",")).join("\r\n")}\r\n`;
}

/** downloadText saves text as a file through a temporary object URL (no server round trip). */
export function downloadText(filename: string, text: string, type = "text/csv;charset=utf-8"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
