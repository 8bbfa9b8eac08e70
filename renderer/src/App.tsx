import { useEffect, useState } from 'react';
import { DevicesScreen } from './screens/Devices.js';
import { HomeScreen } from './screens/Home.js';
import { SignInScreen } from './screens/SignIn.js';
import { useLatch } from './store/index.js';

function useHash(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const update = () => setHash(window.location.hash);
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return hash;
}

/** One renderer, two windows: main at #/, devices at #/devices. */
export function App() {
  const hash = useHash();
  const session = useLatch((s) => s.session);
  useEffect(() => {
    document.title = hash === '#/devices' ? 'Signed-in devices – Latch' : 'Latch';
  }, [hash]);
  if (hash === '#/devices') return <DevicesScreen />;
  switch (session.status) {
    case 'starting':
      return <main className="narrow" aria-busy="true" />;
    case 'signedIn':
      return <HomeScreen state={session} />;
    default:
      return <SignInScreen state={session} />;
  }
}
