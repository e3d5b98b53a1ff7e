// A modal question before anything that moves money or cannot be undone: the person reads what
// is about to be recorded, in words, and confirms or backs out (Escape backs out).
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { t, type Language } from '../i18n';

interface ConfirmProps {
  language: Language;
  title: string;
  children: ComponentChildren;
  confirmLabel?: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  testId?: string;
}

export function ConfirmDialog({ language, title, children, confirmLabel, busy = false, onConfirm, onCancel, testId = 'confirm' }: ConfirmProps) {
  return (
    <Modal onClose={onCancel} testId={testId} title={title}>
      <div class="dialog-body">{children}</div>
      <div class="dialog-buttons">
        <button type="button" class="secondary" data-testid={`${testId}-no`} onClick={onCancel} disabled={busy}>
          {t(language, 'back')}
        </button>
        <button type="button" class="primary" data-testid={`${testId}-yes`} onClick={onConfirm} disabled={busy}>
          {confirmLabel ?? t(language, 'confirm')}
        </button>
      </div>
    </Modal>
  );
}

interface ModalProps {
  title: string;
  children: ComponentChildren;
  onClose: () => void;
  testId: string;
  wide?: boolean;
}

export function Modal({ title, children, onClose, testId, wide = false }: ModalProps) {
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        onClose();
      }
    }
    document.addEventListener('keydown', onKey, true);
    return () => document.removeEventListener('keydown', onKey, true);
  }, [onClose]);
  return (
    <div class="modal-backdrop">
      <div class={`modal card${wide ? ' is-wide' : ''}`} role="dialog" aria-modal="true" aria-label={title} data-testid={testId}>
        <h2 class="modal-title">{title}</h2>
        {children}
      </div>
    </div>
  );
}
