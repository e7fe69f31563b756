/**
 * The tools open ports by name through examples' openNamedPort (one branch
 * per port kind). Capture opens its port the same way, so once the switch
 * adds monitor ports (`vale0:p1/t`, `/r`) to openNamedPort, `capture -i
 * vale0:p1/t` works with no change here.
 */
export { closeNamedPort, openNamedPort } from '@pktfabric/examples';
