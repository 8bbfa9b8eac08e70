import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { messages } from '../../shared/messages.js';
import { App } from './App.js';
import './bridge.js';
import { connectStore, createLatchStore, StoreContext } from './store/index.js';
import './styles.css';

// The language the words were chosen in (from the OS); the html file says English until then.
document.documentElement.lang = messages.lang;
const store = createLatchStore(window.latch);
const disconnect = connectStore(store, window.latch);
window.addEventListener('pagehide', disconnect, { once: true });
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreContext.Provider value={store}>
      <App />
    </StoreContext.Provider>
  </StrictMode>,
);
