/** The one device and file of the bench fleet (bench/fleets/evidence.json). */
export const DEVICE_ID = 'be0c4b3e5a0f4d2e8c6a1b3d5f7e9a0b1c2d3e4f';
export const FILE_PATH = 'C:\\Bench\\memory.dmp';
