// A keydown listener on the whole document that always runs the latest handler.
//
// The listener is added once; the handler is swapped on every render. Re-adding the listener in
// an effect instead would leave the previous render's handler in place until the effect runs
// (after the next paint), and a fast typist's Enter would act on a stale PIN or number.
import { useEffect, useRef } from 'preact/hooks';

export function useDocumentKey(handler: (event: KeyboardEvent) => void, capture = false) {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    const listener = (event: KeyboardEvent) => latest.current(event);
    document.addEventListener('keydown', listener, capture);
    return () => document.removeEventListener('keydown', listener, capture);
  }, [capture]);
}
