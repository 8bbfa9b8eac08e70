import { useEffect, useState } from 'react';
import { messages } from '../../shared/messages.js';
import { LiveRegion } from './components/LiveRegion.js';
import { AwaitingApprovalScreen } from './screens/AwaitingApproval.js';
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

function Screen({ hash }: { hash: string }) {
  const session = useLatch((s) => s.session);
  if (hash === '#/devices') return <DevicesScreen />;
  switch (session.status) {
    case 'starting':
      return <main className="narrow" aria-busy="true" />;
    case 'signedIn':
    case 'resuming':
      return <HomeScreen state={session} />;
    case 'awaitingApproval':
      return <AwaitingApprovalScreen state={session} />;
    default:
      return <SignInScreen state={session} />;
  }
}

/** One renderer, two windows: main at #/, devices at #/devices. */
export function App() {
  const hash = useHash();
  useEffect(() => {
    document.title = hash === '#/devices' ? messages.windowTitle.devices : messages.windowTitle.main;
    document.documentElement.lang = messages.lang;
  }, [hash]);
  return (
    <>
      <Screen hash={hash} />
      <LiveRegion />
    </>
  );
}
