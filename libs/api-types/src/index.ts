/**
 * `@onair/api-types`: the JSON the onair API sends to the browser (studio, viewer pages),
 * declared once. The API declares its responses with these types and maps its own entities
 * to them field by field, so nothing internal reaches the browser by accident and a change
 * on either side breaks the other's build. Types only: nothing here exists at run time.
 *
 * @packageDocumentation
 */
export type { ChannelVisibility, ChannelProfile, ChannelStatus, LiveChannelList } from './channel';
export type { Account, AccountRole, AccountResponse, AccountListing, AccountList } from './account';
export type {
  StudioChannel,
  StudioChannelLive,
  StudioChannelList,
  CreatedChannel,
  StreamKey,
  StreamKeyList,
  MintedKey,
  KeyRevocation,
  KeyRotation,
  BroadcastEndReason,
  PastBroadcast,
  PastBroadcastList,
  ShareLink,
  StudioLiveState,
  StreamHealth,
  StudioLiveEvents,
} from './studio';
export type { ProblemDocument } from './problem';
