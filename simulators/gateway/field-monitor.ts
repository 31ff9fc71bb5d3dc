// The independent I/O module wired to the outputs: a separate read-only Modbus TCP server that
// shows what the process really does. Its polling is NOT master traffic (it never feeds the watchdog).
import type { ProcessModel } from './process-model.ts';
import { fieldRegisters } from './modbus-register-map.ts';
import { ILLEGAL_ADDRESS, ILLEGAL_FUNCTION, modbusException, startModbusTcp, type ModbusTcpServer, type ModbusVector } from './modbus-servers.ts';

export function fieldMonitorVector(model: ProcessModel): ModbusVector {
  const read = (addr: number) => {
    const regs = fieldRegisters(model);
    if (addr >= regs.length) throw modbusException(ILLEGAL_ADDRESS, `no field register ${addr}`);
    return regs[addr]!;
  };
  const readOnly = () => { throw modbusException(ILLEGAL_FUNCTION, 'field monitor is read-only'); };
  return {
    getInputRegister: (addr: number) => read(addr),
    getHoldingRegister: (addr: number) => read(addr), // FC03 mirror, for lenient clients
    setRegister: (_a: number, _v: number) => readOnly(),
    setRegisterArray: (_a: number, _v: number[]) => readOnly(),
    setCoil: (_a: number, _v: boolean) => readOnly(),
  } as unknown as ModbusVector;
}

export function startFieldMonitor(model: ProcessModel, host: string, port: number | undefined): Promise<ModbusTcpServer> {
  return startModbusTcp(fieldMonitorVector(model), host, port);
}
