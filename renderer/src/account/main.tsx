// The account page: the renderer's screens and store in a browser, talking to the server that serves
// the page through a web LatchBridge (docs/architecture.md, "The account page").
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { messages } from '../../../shared/messages.js';
import { connectStore, createLatchStore, StoreContext } from '../store/index.js';
import '../styles.css';
import { AccountApp } from './AccountApp.js';
import { createWebBridge } from './web-bridge.js';

// The language the words were chosen in (from the browser); the html file says English until then.
document.documentElement.lang = messages.lang;
const bridge = createWebBridge();
const store = createLatchStore(bridge);
const disconnect = connectStore(store, bridge);
window.addEventListener('pagehide', disconnect, { once: true });
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreContext.Provider value={store}>
      <AccountApp />
    </StoreContext.Provider>
  </StrictMode>,
);
