import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams } from '../contracts/dto.ts';
import { unwrap } from '../contracts/errors.ts';
import { Rating, RatingCreate } from '../contracts/ratings.ts';
import { citizenToken, errorResponses } from '../lib/route-helpers.ts';
import type { RatingsService } from './ratings.service.ts';

const TokenQuery = Type.Object({ t: Type.Optional(Type.String({ maxLength: 200 })) });

export function ratingsRoutes(ratings: RatingsService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/tickets/:id/rating', {
      schema: {
        tags: ['ratings'], params: IdParams, querystring: TokenQuery, body: RatingCreate,
        response: { 201: Rating, ...errorResponses(400, 401, 403, 404, 409) },
        description: '好差评 of a finished ticket with the citizen\'s access token, once (409 ALREADY_RATED; 409 NOT_FINISHED before it is done). A score ≤ 2 opens a follow-up case, returned in `case`, which the same token follows.',
      },
    }, async (request, reply) => reply.status(201).send(unwrap(await ratings.rateTicket(request.params.id, citizenToken(request), request.body))));

    app.get('/tickets/:id/rating', {
      schema: { tags: ['ratings'], params: IdParams, querystring: TokenQuery, response: { 200: Type.Union([Rating, Type.Null()]), ...errorResponses(400, 401, 403, 404) } },
    }, async (request) => unwrap(await ratings.ofTicket(request.params.id, citizenToken(request))));
  };
}
