import { useLayoutEffect, type RefObject } from 'react';

/** The page's heading takes the focus (it has tabIndex -1) when what had it is gone. */
export function focusHeading(): void {
  document.querySelector<HTMLElement>('main h1')?.focus();
}

/**
 * When this element leaves the page while it holds the focus (a device signed
 * out elsewhere while its password form was open, say), the focus goes to the
 * page heading instead of falling to the body.
 */
export function useRescueFocus(element: RefObject<HTMLElement | null>): void {
  useLayoutEffect(() => {
    const node = element.current;
    return () => {
      if (node?.contains(document.activeElement)) requestAnimationFrame(() => document.activeElement === document.body && focusHeading());
    };
  }, [element]);
}
