import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import './bridge.js';
import { connectStore, createLatchStore, StoreContext } from './store/index.js';
import './styles.css';

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
