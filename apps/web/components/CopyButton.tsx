'use client';

import { useState } from 'react';

/** Copies `value` to the clipboard; says "Copied" for a moment. */
export function CopyButton({ value, label = 'Copy', testId }: { value: string; label?: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Clipboard refused (insecure origin): select-and-copy by hand still works on the field.
      return;
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  }
  return (
    <button type="button" className="button button-ghost button-small" onClick={copy} data-testid={testId}>
      {copied ? 'Copied' : label}
    </button>
  );
}

/** A read-only value with a copy button (URLs, keys). */
export function CopyField({ label, value, secret, testId }: { label: string; value: string; secret?: boolean; testId?: string }) {
  return (
    <div className="copy-field">
      <span className="copy-label">{label}</span>
      <div className="copy-row">
        <input readOnly value={value} className={secret ? 'mono secret' : 'mono'} onFocus={(e) => e.currentTarget.select()} data-testid={testId} aria-label={label} />
        <CopyButton value={value} testId={testId ? `${testId}-copy` : undefined} />
      </div>
    </div>
  );
}
