import { mount } from 'svelte';
import App from './components/App.svelte';
import { connectBridge } from './lib/connect';
import { HarkClient } from './lib/hark-client';
import { AppState } from './state/AppState.svelte';
import './styles/app.css';

const { bridge, socket } = connectBridge();
const app = new AppState(new HarkClient(bridge));
socket?.onConnectionChange((connected) => app.setConnected(connected));
void app.load();

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, { target, props: { app } });
